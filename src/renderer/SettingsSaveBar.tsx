export type Outcome = { ok: boolean; text: string };

/** Save and "use the config file's values" for one section, with what happened. */
export function SaveBar({ what, onSave, onReset, outcome }: { what: string; onSave: () => Promise<void>; onReset: () => Promise<void>; outcome: Outcome | undefined }) {
  return (
    <div className="buttons settings-savebar">
      <button type="button" onClick={() => void onSave()} aria-label={`Save the ${what} settings`}>
        Save
      </button>
      <button type="button" onClick={() => void onReset()} aria-label={`Reset the ${what} settings to the config file`}>
        Use the config file’s values
      </button>
      <OutcomeNote outcome={outcome} />
    </div>
  );
}

/** What a save did: a quiet status when it worked, an alert when it did not. */
export function OutcomeNote({ outcome }: { outcome: Outcome | undefined }) {
  return outcome ? (
    <span role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'settings-ok' : 'problem'}>
      {outcome.text}
    </span>
  ) : null;
}
