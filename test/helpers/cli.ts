// Running the real executable (the built dist/server/main.js) as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = path.join(ROOT, 'dist', 'server', 'main.js');

export function runCli(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`timeout: ${stdout} ${stderr}`)); }, timeoutMs);
    p.on('exit', (code) => { clearTimeout(t); resolve({ code, stdout, stderr }); });
  });
}

/** Starts the server and waits for its "serving … on HOST:PORT udp+tcp" line. */
export function startCli(args: string[], timeoutMs = 20_000): Promise<{ proc: ChildProcess; host: string; port: number; line: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    proc.stderr!.on('data', (d) => (err += d));
    const t = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`server did not start: ${out} ${err}`)); }, timeoutMs);
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = / on \[?([^\s\]]+?)\]?:(\d+) udp\+tcp/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ proc, host: m[1], port: Number(m[2]), line: out.split('\n')[0], stderr: () => err });
      }
    });
    proc.on('exit', (code) => { clearTimeout(t); reject(new Error(`server exited with ${code}: ${out} ${err}`)); });
  });
}

export function stopCli(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) { resolve(proc.exitCode); return; }
    proc.removeAllListeners('exit');
    proc.on('exit', (code) => resolve(code));
    proc.kill(signal);
  });
}
