import type { settingsChannels } from '../shared/ipc-settings.js';
import type { Area, AreaDeps } from './area.js';

type Keys = keyof typeof settingsChannels;

export function settingsArea(deps: AreaDeps): Area<Keys> {
  void deps;
  return { handlers: {}, dispose: () => Promise.resolve() };
}
