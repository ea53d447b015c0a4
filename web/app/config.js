// The deployment's settings, read once from /config.json (see web/README in the top-level README).

let loaded = null;

export async function loadConfig() {
  const response = await fetch('/config.json', {cache: 'no-store'});
  if (!response.ok) throw new Error(`config.json could not be read (HTTP ${response.status}).`);
  const config = await response.json();
  if (!config || typeof config.api_base_url !== 'string' || !config.api_base_url) {
    throw new Error('config.json has no api_base_url.');
  }
  config.api_base_url = config.api_base_url.replace(/\/+$/, '');
  config.auth = config.auth || {mode: 'local'};
  loaded = config;
  return config;
}

export function config() {
  return loaded;
}
