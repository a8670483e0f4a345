import { loadPolicy } from '../app/engine-setup.js';
import { checkModels } from '../app/models-check.js';
import { mergeLayers, type Config, type ConfigLayer } from '../shared/config.js';
import { UserInputError } from '../shared/errors.js';
import type { EndpointDraft, settingsChannels } from '../shared/ipc-settings.js';
import type { Store } from '../shared/ports.js';
import type { Area, AreaDeps } from './area.js';
import { appSecretStore, applyOverrides, OVERRIDES_KEY, readOverrides } from './settings-config.js';
import { modelRoles, secretNameOf, settingsView } from './settings-view.js';

type Keys = keyof typeof settingsChannels;

/**
 * The settings screen: model endpoints per role (keys by secret name), the grounding cascade,
 * the safety policy, secrets by name, the data dir. Every save is checked against the config
 * schema on top of the loaded config, then kept in the store; the service's next run uses it.
 */
export function settingsArea(deps: AreaDeps): Area<Keys> {
  const { app } = deps;
  // The same store the engine reads {{secret:NAME}} from (the service passes it to setupEngine).
  const secretStore = () => appSecretStore(app);

  const view = async () => settingsView(app, readOverrides(await app.store()));

  /** Validates the stored layer with `patch` over it, keeps it, and answers the new view. */
  async function save(patch: ConfigLayer, check?: (config: Config) => void) {
    const store: Store = await app.store();
    const layer = mergeLayers(readOverrides(store), patch);
    const config = applyOverrides(app.config, layer);
    check?.(config);
    store.settings.set(OVERRIDES_KEY, layer);
    app.logger.info({ keys: Object.keys(patch) }, 'settings saved from the app');
    return view();
  }

  function checkDraft(d: EndpointDraft): void {
    const roles = modelRoles();
    if (!roles.includes(d.role)) throw new UserInputError(`models.${d.role}: not a model role (known: ${roles.join(', ')})`);
    // "localhost:8000" parses as a URL with the scheme "localhost:": say what is meant instead.
    if (!/^https?:\/\//i.test(d.baseURL)) throw new UserInputError(`models.${d.role}.baseURL: "${d.baseURL}" must start with http:// or https://, as in http://localhost:8000/v1`);
  }

  /** The apiKey to store for a draft: absent keeps what the config has, '' removes it. */
  function keyOf(d: EndpointDraft): string | null | undefined {
    if (d.secretName === undefined) return undefined;
    return d.secretName === '' ? null : `{{secret:${d.secretName}}}`;
  }

  return {
    handlers: {
      'settings.config': view,
      'settings.endpoint.save'(d) {
        checkDraft(d);
        return save({ models: { [d.role]: { baseURL: d.baseURL, model: d.model, apiKey: keyOf(d) } } });
      },
      async 'settings.endpoint.check'(d) {
        checkDraft(d);
        const current = applyOverrides(app.config, readOverrides(await app.store()));
        const ref = d.secretName === undefined ? (current.models as Record<string, { apiKey?: string } | undefined>)[d.role]?.apiKey : (keyOf(d) ?? undefined);
        const name = secretNameOf(ref);
        let apiKey = name ? undefined : ref;
        if (name) {
          apiKey = await (await secretStore()).get(name);
          if (apiKey === undefined) {
            return [{ name: `API key (${d.role})`, status: 'fail', detail: `no secret named ${name} is stored`, hint: `add ${name} under Secrets below, or choose another secret name` }];
          }
          app.secrets.add(apiKey);
        }
        // Only this role, with the drafted values and the key itself (the check cannot read secrets).
        const others = Object.fromEntries(modelRoles().map((r) => [r, null]));
        const endpoint = { baseURL: d.baseURL, model: d.model, apiKey: apiKey ?? null, maxRetries: 0 };
        const config = applyOverrides(current, { models: { ...others, [d.role]: endpoint } }, 'check');
        return (await checkModels(config)).filter((c) => c.name.endsWith(`(${d.role})`));
      },
      'settings.grounding.save'({ cascade, templateThreshold, minConfidence }) {
        const twice = cascade.find((r, i) => cascade.indexOf(r) !== i);
        if (twice) throw new UserInputError(`grounding.cascade: "${twice}" is listed twice`);
        return save({ grounding: { cascade, templateThreshold, minConfidence } });
      },
      'settings.safety.save'({ allowApps, confirmTimeoutMs, policyFile }) {
        // A policy file that does not load would stop every run: refuse it now, saying why.
        return save({ safety: { allowApps, confirmTimeoutMs, policyFile: policyFile === '' ? null : policyFile } }, (config) => void loadPolicy(config));
      },
      async 'settings.reset'({ section }) {
        const store = await app.store();
        const layer = readOverrides(store);
        delete layer[section];
        store.settings.set(OVERRIDES_KEY, Object.keys(layer).length ? layer : undefined);
        return view();
      },
      async 'secrets.list'() {
        const s = await secretStore();
        return { store: s.kind, names: (await s.list()).sort() };
      },
      async 'secrets.set'({ name, value }) {
        await (await secretStore()).set(name, value);
        app.secrets.add(value);
        return {};
      },
      async 'secrets.delete'({ name }) {
        return { removed: await (await secretStore()).remove(name) };
      },
    },
    dispose: () => Promise.resolve(),
  };
}
