/** tcpdump's default snapshot length (libpcap's MAXIMUM_SNAPLEN): whole packets. */
export const DEFAULT_SNAPLEN = 262144;
