/** What a file-system error code means, in words a user can act on (reading and writing files). */
export const ERRNO_REASONS: Record<string, string> = {
  ENOENT: "the folder does not exist",
  ENOTDIR: "a part of the path is not a folder",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exhausted",
  EFBIG: "the file would be too large for the file system",
  EIO: "an input/output error on the device",
  ENAMETOOLONG: "the name is too long",
  EISDIR: "it is a folder",
  ELOOP: "too many symbolic links",
  EMFILE: "too many open files",
  EBUSY: "the file is busy",
  ENXIO: "no such device",
  EXDEV: "the temporary file and the target are on different devices",
};

/** "the reason (CODE)" for a known code, else the error's own message. */
export function errnoReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code ?? "";
  return ERRNO_REASONS[code] ? `${ERRNO_REASONS[code]} (${code})` : (error as Error)?.message || String(error);
}
