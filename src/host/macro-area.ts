import type { macroChannels } from '../shared/ipc-macros.js';
import type { Area, AreaDeps } from './area.js';

type Keys = keyof typeof macroChannels;

export function macroArea(deps: AreaDeps): Area<Keys> {
  void deps;
  return { handlers: {}, dispose: () => Promise.resolve() };
}
