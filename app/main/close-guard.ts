/**
 * Whether a window may close, as a small state machine with no Electron in it (tested under Node):
 * a window whose capture holds frames no file holds yet (DocumentState.unsaved) asks first, as
 * Wireshark does — save, close without saving, or stay.
 *
 *   close event  → guard.request()        'allow' | 'prompt' (show closePrompt(), then answer()) | 'wait'
 *   prompt reply → guard.answer(response) 'close' | 'save' (send the window a `save`) | 'stay'
 *   new state    → guard.documentChanged() 'close' once the save asked for has happened
 *   Save dialog cancelled → guard.saveCancelled(): the close is off
 */
import type { DocumentState } from '../rpc/desktop-bridge';

export interface ClosePrompt {
  type: 'warning';
  title: string;
  message: string;
  detail: string;
  /** In this order: the prompt's response is the index of the one chosen. */
  buttons: [save: string, discard: string, cancel: string];
  defaultId: number;
  cancelId: number;
  noLink: true;
}

export const CLOSE_RESPONSE = { save: 0, discard: 1, cancel: 2 } as const;

/** The question for a window whose document is unsaved; null when there is nothing to ask. */
export function closePrompt(state: DocumentState | null, quitting: boolean): ClosePrompt | null {
  if (!state?.unsaved) return null;
  const stop = state.capturing ? 'stop the capture and ' : '';
  return {
    type: 'warning',
    title: quitting ? 'Quit Sievecap' : 'Close Window',
    message: `Do you want to ${stop}save the captured packets before ${quitting ? 'quitting' : 'closing'}?`,
    detail: `${state.title || 'This capture'}: your captured packets will be lost if you don't save them.`,
    buttons: [
      state.capturing ? 'Stop and Save' : 'Save',
      quitting ? `${state.capturing ? 'Stop and ' : ''}Quit without Saving` : `${state.capturing ? 'Stop and ' : ''}Close without Saving`,
      'Cancel',
    ],
    defaultId: CLOSE_RESPONSE.save,
    cancelId: CLOSE_RESPONSE.cancel,
    noLink: true,
  };
}

export type CloseRequest = 'allow' | 'prompt' | 'wait';
export type CloseAnswer = 'close' | 'save' | 'stay';

export class CloseGuard {
  private state: DocumentState | null = null;
  /** The user said to close anyway (or the document became clean): the next request closes. */
  private confirmed = false;
  private prompting = false;
  /** A save was asked for so that the window could close afterwards. */
  private closeAfterSave = false;

  get document(): DocumentState | null {
    return this.state;
  }

  /** The window is about to close (its `close` event). */
  request(): CloseRequest {
    if (this.confirmed || !this.state?.unsaved) return 'allow';
    // A prompt is showing, or a save runs on the way to closing: one question at a time.
    if (this.prompting || this.closeAfterSave) return 'wait';
    this.prompting = true;
    return 'prompt';
  }

  /** The prompt's response: the index of the button chosen (CLOSE_RESPONSE); anything else stays. */
  answer(response: number): CloseAnswer {
    this.prompting = false;
    if (response === CLOSE_RESPONSE.discard) {
      this.confirmed = true;
      return 'close';
    }
    if (response === CLOSE_RESPONSE.save) {
      this.closeAfterSave = true;
      return 'save';
    }
    return 'stay';
  }

  /** The renderer said what the window shows; 'close' when a save asked for by the prompt is done. */
  documentChanged(state: DocumentState): 'close' | null {
    this.state = state;
    if (this.closeAfterSave && !state.unsaved) {
      this.closeAfterSave = false;
      this.confirmed = true;
      return 'close';
    }
    return null;
  }

  /** The Save dialog was cancelled (or the save failed): the window stays. */
  saveCancelled(): void {
    this.closeAfterSave = false;
  }

  /** Whether a close waits for a save to finish. */
  get waitingForSave(): boolean {
    return this.closeAfterSave;
  }
}
