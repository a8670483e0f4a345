import { useState, type FormEvent } from 'react';
import type { TaskFilesView } from '../shared/ipc-tests.js';

/**
 * Step 1 of a test run: a folder, file or glob is listed as task files with their tasks and
 * tags; a file that does not parse shows its errors at file:line:col and the others stay usable.
 */
export function TestFilePicker(props: {
  listing: TaskFilesView | undefined;
  selected: Set<string>;
  problem: string | undefined;
  onList: (pattern: string) => void;
  onToggle: (file: string, on: boolean) => void;
}) {
  const { listing, selected } = props;
  const [pattern, setPattern] = useState('examples');

  function submit(e: FormEvent) {
    e.preventDefault();
    props.onList(pattern);
  }

  return (
    <fieldset className="tests-files">
      <legend>Task files</legend>
      <form className="tests-row" onSubmit={submit}>
        <label htmlFor="tests-pattern">Folder, file or glob</label>
        <input
          id="tests-pattern"
          value={pattern}
          onChange={(e) => setPattern(e.target.value)}
          placeholder="examples or examples/**/*.yaml"
          spellCheck={false}
        />
        <button type="submit">List files</button>
      </form>
      {listing ? (
        <p className="muted">
          {listing.files.length} file(s) for <code>{listing.pattern}</code> in <code>{listing.cwd}</code>
        </p>
      ) : null}
      {props.problem ? (
        <p role="alert" className="problem">
          {props.problem}
        </p>
      ) : null}
      <ul className="tests-file-list" aria-label="Task files found">
        {listing?.files.map((f) => (
          <li key={f.file} className={f.errors.length ? 'tests-file tests-file-bad' : 'tests-file'}>
            <label className="check">
              <input
                type="checkbox"
                checked={selected.has(f.file)}
                disabled={f.tasks.length === 0}
                onChange={(e) => props.onToggle(f.file, e.target.checked)}
              />
              <code>{f.file}</code>
              <span className="muted">
                {' '}
                · {f.tasks.length} task(s){f.errors.length ? ` · ${f.errors.length} error(s)` : ''}
              </span>
            </label>
            {f.tasks.length ? (
              <ul className="tests-tasks" aria-label={`Tasks in ${f.file}`}>
                {f.tasks.map((t) => (
                  <li key={t.id}>
                    <code>{t.id}</code>
                    {t.tags.map((tag) => (
                      <span key={tag} className="tests-tag">
                        @{tag}
                      </span>
                    ))}
                    {t.title ? <span className="muted"> {t.title}</span> : null}
                  </li>
                ))}
              </ul>
            ) : null}
            {f.errors.length ? (
              <ul className="tests-errors" aria-label={`Errors in ${f.file}`}>
                {f.errors.map((e, i) => (
                  <li key={i}>
                    <code>{e.where}</code>
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
