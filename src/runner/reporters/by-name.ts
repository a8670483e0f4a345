import { HtmlReporter } from './html.js';
import { JsonReporter } from './json.js';
import { JunitReporter } from './junit.js';
import { ListReporter } from './list.js';
import type { Reporter, ReporterName } from './reporter.js';

/** A reporter by its `--reporter` name; files go to `outDir`, list lines to `line`. */
export function reporterByName(name: ReporterName, outDir: string, line: (text: string) => void = () => undefined): Reporter {
  switch (name) {
    case 'list':
      return new ListReporter(line);
    case 'json':
      return new JsonReporter(outDir);
    case 'junit':
      return new JunitReporter(outDir);
    case 'html':
      return new HtmlReporter(outDir);
  }
}
