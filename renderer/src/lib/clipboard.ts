/** Copy Value / Copy as Filter: text to the clipboard (the async API, else the old copy command); false when refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    const clipboard = (globalThis.navigator as Navigator | undefined)?.clipboard as Clipboard | undefined;
    if (clipboard) {
      await clipboard.writeText(text);
      return true;
    }
  } catch {
    // not allowed here: try the old way
  }
  try {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  } catch {
    return false;
  }
}
