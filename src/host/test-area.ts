import type { testChannels } from '../shared/ipc-tests.js';
import type { Area, AreaDeps } from './area.js';

type Keys = keyof typeof testChannels;

export function testArea(deps: AreaDeps): Area<Keys> {
  void deps;
  return { handlers: {}, dispose: () => Promise.resolve() };
}
