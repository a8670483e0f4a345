/** The built-in icon vocabulary and the grounder that finds its icons on screen. */
export { IconGrounder, wantedIcon, type IconGrounderOptions } from './grounder.js';
export { labelIcons, recogniseIcons, type IconMatch } from './label.js';
export { classifyGlyph, MIN_GROUND_SCORE, MIN_ICON_SCORE, type IconGuess } from './classify.js';
export { loadExemplars, type Exemplar } from './exemplars.js';
export { ICON_NAMES, iconNamed, type IconName } from './vocabulary.js';
