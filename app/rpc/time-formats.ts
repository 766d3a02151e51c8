/**
 * tshark's -t formats: the packet list's Time column (View › Time Display Format) as `tshark -t
 * FORMAT` prints it. A leaf of its own (no schema library), so the CLI's option parser, which
 * every command loads, does not build the engine protocol's schemas to know these names.
 */
export const TIME_DISPLAY_FORMATS = ['a', 'ad', 'adoy', 'd', 'dd', 'e', 'r', 'u', 'ud', 'udoy'] as const;
export type TimeDisplayFormat = (typeof TIME_DISPLAY_FORMATS)[number];
