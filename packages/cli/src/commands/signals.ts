// signals.ts — the CLI's one set of signal handlers for a foreground container: signals sent to ctr reach the
// container's PID 1. PID 1 ignores signals it has no handler for, so a stop signal is followed by SIGKILL
// after a grace period, as `docker stop` does. Installed before anything is created: a signal that arrives
// during setup is held and delivered once the command runs, instead of killing ctr halfway. The runtime
// library itself installs no process-wide handler (many containers can share one Node process).
import { stopTimeoutSeconds } from '../runtime/config.js';

const stopSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export interface SignalTarget {
  kill(signal: NodeJS.Signals): boolean;
}

export interface SignalForwarding {
  /** the container to deliver to; pending signals go now */
  target(container: SignalTarget): void;
  /** removes the handlers */
  dispose(): void;
}

/** @param graceSeconds time between a stop signal and SIGKILL (`--stop-timeout`) */
export function forwardSignals(graceSeconds = stopTimeoutSeconds): SignalForwarding {
  const pending: NodeJS.Signals[] = [];
  let running: SignalTarget | undefined;
  let stopTimer: NodeJS.Timeout | undefined;
  const deliver = (sig: NodeJS.Signals): void => {
    if (!running) {
      pending.push(sig);
      return;
    }
    running.kill(sig);
    if (sig !== 'SIGUSR1' && sig !== 'SIGUSR2' && !stopTimer) {
      const target = running;
      stopTimer = setTimeout(() => target.kill('SIGKILL'), graceSeconds * 1000);
      stopTimer.unref();
    }
  };
  const handlers = stopSignals.map((sig) => [sig, () => deliver(sig)] as const);
  for (const [sig, handler] of handlers) process.on(sig, handler);
  return {
    target(container) {
      running = container;
      for (const sig of pending.splice(0)) deliver(sig);
    },
    dispose() {
      for (const [sig, handler] of handlers) process.off(sig, handler);
      if (stopTimer) clearTimeout(stopTimer);
    },
  };
}
