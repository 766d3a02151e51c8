/**
 * Kernel helper ids (enum bpf_func_id in <linux/bpf.h>, numbered by position in
 * __BPF_FUNC_MAPPER). Only the helpers a socket filter or its maps can reasonably use are listed;
 * add more from the header as programs need them. The ids are kernel ABI and never change.
 */
export const HELPER_IDS = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  ktime_get_ns: 5,
  trace_printk: 6,
  get_prandom_u32: 7,
  get_smp_processor_id: 8,
  tail_call: 12,
  perf_event_output: 25,
  skb_load_bytes: 26,
  csum_diff: 28,
  get_hash_recalc: 34,
  get_numa_node_id: 42,
  get_socket_cookie: 46,
  get_socket_uid: 47,
  skb_load_bytes_relative: 68,
  map_push_elem: 87,
  map_pop_elem: 88,
  map_peek_elem: 89,
  spin_lock: 93,
  spin_unlock: 94,
  jiffies64: 118,
  get_netns_cookie: 122,
  ktime_get_boot_ns: 125,
  ringbuf_output: 130,
  ringbuf_reserve: 131,
  ringbuf_submit: 132,
  ringbuf_discard: 133,
  ringbuf_query: 134,
  ktime_get_coarse_ns: 160,
  ktime_get_tai_ns: 208,
} as const;

export type HelperName = keyof typeof HELPER_IDS;

const NAMES_BY_ID = new Map<number, string>(Object.entries(HELPER_IDS).map(([name, id]) => [id, name]));

/** Helper id for a name, or undefined when the name is not in the table. */
export function helperId(name: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(HELPER_IDS, name) ? HELPER_IDS[name as HelperName] : undefined;
}

/** Helper name for an id, or undefined when the id is not in the table. */
export function helperName(id: number): string | undefined {
  return NAMES_BY_ID.get(id);
}
