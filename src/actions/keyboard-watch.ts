import { nullLogger, type Logger } from '../shared/logger.js';

/**
 * Watches the global keyboard (uiohook-napi) so that a person typing while the agent works is
 * noticed (takeover). The hook sees the agent's own injected keys as well; the Failsafe tells
 * them apart by time (it knows when the agent is sending input). Start once per run; `stop`
 * unhooks.
 */
export interface KeyboardWatch {
  stop(): void;
}

export async function watchKeyboard(onKey: () => void, logger: Logger = nullLogger): Promise<KeyboardWatch | undefined> {
  try {
    const { uIOhook } = await import('uiohook-napi');
    const listener = () => onKey();
    uIOhook.on('keydown', listener);
    uIOhook.start();
    return {
      stop() {
        uIOhook.off('keydown', listener);
        uIOhook.stop();
      },
    };
  } catch (err) {
    // No hook (no display permission, a platform without a prebuilt): pointer takeover still works.
    logger.warn({ err }, 'keyboard takeover detection is unavailable');
    return undefined;
  }
}
