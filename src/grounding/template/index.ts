/** The template grounder: multi-scale NCC of a recorded crop, coarse to fine. */
export { TemplateGrounder, type TemplateGrounderOptions } from './grounder.js';
export { searchTemplate, type SearchOptions, type TemplateMatch } from './search.js';
export { toGray, halve, resizeGray, type GrayImage } from './gray.js';
export { integral, prepareTemplate, nccAt, nccAtDirect, nccMap, type Integral, type PreparedTemplate } from './ncc.js';
export { frameForRegion } from './region.js';
