/**
 * The live processes of this machine as /proc shows them (Linux): enough to check that stopping the local
 * stack leaves none of its children behind. Read from /proc rather than `ps` so the check needs no parsing
 * of a tool's column layout.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Process group id: a detached child leads its own group, its descendants stay in it. */
  pgrp: number;
  /** R, S, D, Z (zombie: exited, not yet reaped) … */
  state: string;
  cmdline: string;
}

function readProcess(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses, so split after the last ')'.
    const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return { pid, ppid: Number(ppid), pgrp: Number(pgrp), state: state!, cmdline };
  } catch {
    return null; // exited between the listing and the read
  }
}

/** Every process that has not exited (zombies count as exited: they run nothing and hold no port). */
export function liveProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== null && p.state !== 'Z');
}

/** The live descendants of `pid`: children, their children, and so on. */
export function descendantsOf(pid: number, processes = liveProcesses()): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of processes)
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
  }
  return found;
}
