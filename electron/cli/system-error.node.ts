// Node's system errors (`ENOENT: no such file or directory, open 'x'`) as sentences that name
// the path and say what to do. Used once, where the CLI reports a command's failure.

const ACTION: Record<string, string> = {
  open: 'opened',
  read: 'read',
  write: 'written',
  mkdir: 'created',
  rename: 'renamed',
  scandir: 'listed',
  stat: 'examined',
};

/** The sentence for a Node system error (one with a code and a syscall), or undefined for any other error. */
export function describeSystemError(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  if (!e || typeof e.code !== 'string' || typeof e.syscall !== 'string') return undefined;
  const path = e.path ?? (e as { dest?: string }).dest;
  const it = path ?? 'a file';
  switch (e.code) {
    case 'ENOENT':
      return `${it} does not exist: check the path.`;
    case 'EISDIR':
      return `${it} is a folder: name a file in it.`;
    case 'ENOTDIR':
      return e.syscall === 'mkdir' || e.syscall === 'open' ? `${it}: a part of this path is a file, not a folder: check the path.` : `${it} is not a folder: check the path.`;
    case 'EEXIST':
      return e.syscall === 'mkdir' ? `${it} is a file, not a folder: name a folder (it is created when missing).` : `${it} already exists: name another path.`;
    case 'EACCES':
    case 'EPERM':
      return `${it} cannot be ${ACTION[e.syscall] ?? 'used'}: permission denied. Check its owner and mode (ls -l).`;
    case 'EROFS':
      return `${it} is on a read-only file system: name a path on a writable disk.`;
    case 'ENOSPC':
      return `The disk holding ${it} is full: free some space and try again.`;
    case 'EMFILE':
    case 'ENFILE':
      return `Too many open files while opening ${it}: close other programs or raise the limit (ulimit -n).`;
    default:
      return undefined;
  }
}
