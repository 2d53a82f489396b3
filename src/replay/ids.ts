/** The event schema's id alphabet; rows whose ids fall outside it are skipped, not sent invalid. */
const ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isId(text: string): boolean {
  return ID.test(text);
}

/** A raw user id, or undefined for the dataset's anonymous markers (`NA`, empty). */
export function knownUser(text: string): string | undefined {
  return text === '' || text === 'NA' || !ID.test(text) ? undefined : text;
}
