// A small in-memory chrome.storage (sync + managed) with onChanged, for the settings and options tests.
export function fakeStorageArea(initial = {}, { throwsOnGet = null } = {}) {
  const data = { ...initial };
  return {
    data,
    async get(keys) {
      if (throwsOnGet) throw new Error(throwsOnGet);
      const wanted = keys == null ? Object.keys(data) : [].concat(keys);
      return Object.fromEntries(wanted.filter((key) => key in data).map((key) => [key, structuredClone(data[key])]));
    },
    async set(values) {
      Object.assign(data, structuredClone(values));
    },
  };
}

/** chrome with storage.sync and storage.managed; `change(area, values)` updates an area and fires onChanged. */
export function fakeChrome({ sync = {}, managed = null, managedError = "Managed storage manifest not found" } = {}) {
  const listeners = [];
  const areas = {
    sync: fakeStorageArea(sync),
    managed: managed ? fakeStorageArea(managed) : fakeStorageArea({}, { throwsOnGet: managedError }),
  };
  const permissionRequests = [];
  const chrome = {
    storage: { ...areas, onChanged: { addListener: (listener) => listeners.push(listener) } },
    permissions: { request: async (request) => { permissionRequests.push(request); return true; } },
  };
  async function change(area, values) {
    if (area === "managed" && !managed) {
      managed = values;
      areas.managed = chrome.storage.managed = fakeStorageArea(values);
    } else {
      await areas[area].set(values);
    }
    const changes = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { newValue: value }]));
    for (const listener of listeners) listener(changes, area);
  }
  return { chrome, areas, change, permissionRequests };
}
