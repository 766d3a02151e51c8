/** The engine's packet store: spool, columnar index, on-demand rows and trees, display-filter views. */
export { PacketStore, type PacketRow, type IndexedColumns, type OpenProgress, type OpenFileOptions, type LiveStoreOptions, type LoadSummary } from './store';
export { IndexedFrames } from './indexed-frames';
export { ScopedPackets } from './scoped-packets';
export { FilterView, type FilterProgress } from './filter-view';
export { ColumnIndex, InternTable, FLAG } from './columns';
export { Spool, type SpoolPacket } from './spool';
export { RowDissector, type FrameProvider } from './row-dissector';
export { feedReport, ReportFeed } from './report-feed';
export { TapFeeder } from './tap-feeder';
