/**
 * The file dialogs' options as plain data (main's dialogs.ts shows them): which files Open offers,
 * what Save proposes, and the extension a saved file gets. Pure code, tested under Node.
 */
import * as path from 'node:path';
import type { SaveDialogOptions } from '../rpc/desktop-bridge';

export interface FileFilter {
  name: string;
  extensions: string[];
}

/** What Open offers: capture files (gzip-compressed too, as Wireshark opens them), or anything. */
export const CAPTURE_FILE_FILTERS: readonly FileFilter[] = [
  { name: 'Capture files (pcapng, pcap, cap, gz)', extensions: ['pcapng', 'pcap', 'cap', 'gz'] },
  { name: 'pcapng', extensions: ['pcapng'] },
  { name: 'pcap', extensions: ['pcap', 'cap'] },
  { name: 'gzip-compressed captures', extensions: ['gz'] },
  { name: 'All files', extensions: ['*'] },
];

const SAVE_FILTERS: Readonly<Record<SaveDialogOptions['format'], FileFilter>> = {
  pcapng: { name: 'pcapng', extensions: ['pcapng'] },
  pcap: { name: 'pcap', extensions: ['pcap'] },
};

export interface OpenDialogSpec {
  title: string;
  defaultPath?: string;
  filters: FileFilter[];
  properties: Array<'openFile'>;
}

export interface SaveDialogSpec {
  title: string;
  defaultPath: string;
  filters: FileFilter[];
  properties: Array<'showOverwriteConfirmation' | 'createDirectory'>;
}

export interface DirectoryDialogSpec {
  title: string;
  defaultPath?: string;
  properties: Array<'openDirectory' | 'createDirectory'>;
}

export function openDialogSpec(directory: string | null): OpenDialogSpec {
  return { title: 'Open Capture File', ...(directory ? { defaultPath: directory } : {}), filters: CAPTURE_FILE_FILTERS.map((f) => ({ ...f, extensions: [...f.extensions] })), properties: ['openFile'] };
}

/** The format's extension on a proposed or chosen name, unless it has it already (.pcap for pcap, .pcapng for pcapng). */
export function withExtension(file: string, format: SaveDialogOptions['format']): string {
  const ext = `.${format}`;
  if (file.toLowerCase().endsWith(ext)) return file;
  // A name proposed with the other format's extension changes it ("a.pcapng" saved as pcap → "a.pcap").
  const other = format === 'pcap' ? '.pcapng' : '.pcap';
  return file.toLowerCase().endsWith(other) ? file.slice(0, -other.length) + ext : file + ext;
}

export function saveDialogSpec(options: SaveDialogOptions, directory: string): SaveDialogSpec {
  return {
    title: options.format === 'pcap' ? 'Save as pcap' : 'Save as pcapng',
    defaultPath: path.join(directory, withExtension(options.defaultName || 'capture', options.format)),
    filters: [{ ...SAVE_FILTERS[options.format], extensions: [...SAVE_FILTERS[options.format].extensions] }],
    properties: ['showOverwriteConfirmation', 'createDirectory'],
  };
}

export function directoryDialogSpec(title: string, directory: string | null): DirectoryDialogSpec {
  return { title: title || 'Choose a Folder', ...(directory ? { defaultPath: directory } : {}), properties: ['openDirectory', 'createDirectory'] };
}
