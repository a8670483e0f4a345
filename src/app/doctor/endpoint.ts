import type { ModelEndpoint } from '../../shared/config.js';
import type { Check } from './types.js';

/**
 * Is the OpenAI-compatible server behind a configured model reachable? A GET of `/models` is
 * the cheapest call every such server answers, and it fails in the ways people get wrong:
 * a base URL without /v1 (404), a missing or wrong key (401), a server that is not running.
 */

const SECRET_REF = /^\{\{secret:([^}]+)\}\}$/;

function modelsUrl(baseURL: string): string {
  return baseURL.replace(/\/+$/, '') + '/models';
}

function listedModels(body: unknown): string[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return [];
  return data.flatMap((m) =>
    typeof (m as { id?: unknown }).id === 'string' ? [(m as { id: string }).id] : [],
  );
}

/** The cause code of a failed fetch (ECONNREFUSED, ENOTFOUND...), which undici hides one level down. */
function fetchFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

export function endpointCheck(role: 'planner' | 'grounder'): Check {
  return {
    name: `model endpoint (${role})`,
    timeoutMs: 3_000,
    async run(ctx, signal) {
      const endpoint: ModelEndpoint | undefined = ctx.config.models[role];
      if (!endpoint) {
        return { status: 'skip', detail: `no ${role} model configured (models.${role} in the config file)` };
      }
      const url = modelsUrl(endpoint.baseURL);
      const headers: Record<string, string> = {};
      const key = endpoint.apiKey;
      // A {{secret:NAME}} key needs the secret store; without it the request goes unauthenticated.
      if (key && !SECRET_REF.test(key)) headers['authorization'] = `Bearer ${key}`;
      let res: Response;
      try {
        res = await fetch(url, { headers, signal });
      } catch (err) {
        if (signal.aborted) {
          return {
            status: 'fail',
            detail: `GET ${url}: no answer within 3 s`,
            hint: 'is the server up and the host right? a firewall may be dropping the connection',
          };
        }
        const why = fetchFailure(err);
        const hint =
          why === 'ECONNREFUSED'
            ? 'connection refused: is the model server running, and on this port?'
            : why === 'ENOTFOUND'
              ? 'the host name does not resolve: check models.' + role + '.baseURL'
              : 'check models.' + role + '.baseURL and that the server is up';
        return { status: 'fail', detail: `GET ${url}: ${why}`, hint };
      }
      if (!res.ok) await res.body?.cancel().catch(() => undefined);
      if (res.status === 404) {
        return {
          status: 'fail',
          detail: `GET ${url}: 404`,
          hint: 'does the URL end in /v1? OpenAI-compatible servers answer under /v1',
        };
      }
      if (res.status === 401 || res.status === 403) {
        return {
          status: 'fail',
          detail: `GET ${url}: ${res.status}`,
          hint: `the server wants a valid API key: set models.${role}.apiKey (or DESKPILOT_${role === 'planner' ? 'MODEL' : 'GROUNDER'}_API_KEY)`,
        };
      }
      if (!res.ok)
        return {
          status: 'fail',
          detail: `GET ${url}: HTTP ${res.status}`,
          hint: 'the server answered with an error; see its log',
        };
      const models = listedModels(await res.json().catch(() => null));
      // Some servers list a single model under a file name, so an unlisted model is only noted.
      const listed = models.includes(endpoint.model) ? 'listed' : `not among the ${models.length} listed`;
      return { status: 'ok', detail: `GET ${url}: ${res.status}, model ${endpoint.model} ${listed}` };
    },
  };
}
