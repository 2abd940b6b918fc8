// The learner's progress through the course, kept in the browser (localStorage): per lesson
// slug, the ids of the tasks done and whether it was opened. Pure apart from the storage given.

const KEY = "nnp.lessons.progress.v1";

function read(storage) {
  try {
    const v = JSON.parse(storage.getItem(KEY) ?? "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/** A progress store over `storage` (window.localStorage, or any {getItem, setItem}). */
export function createProgress(storage) {
  return {
    /** {visited, done: [task ids]} of one lesson. */
    of(slug) {
      const p = read(storage)[slug] ?? {};
      return { visited: !!p.visited, done: Array.isArray(p.done) ? p.done : [] };
    },
    visit(slug) {
      const all = read(storage);
      all[slug] = { ...(all[slug] ?? {}), visited: true };
      storage.setItem(KEY, JSON.stringify(all));
    },
    /** Mark a task done; returns true if it was not done before. */
    complete(slug, taskId) {
      const all = read(storage);
      const p = all[slug] ?? {};
      const done = Array.isArray(p.done) ? p.done : [];
      if (done.includes(taskId)) return false;
      all[slug] = { ...p, visited: true, done: [...done, taskId] };
      storage.setItem(KEY, JSON.stringify(all));
      return true;
    },
    reset() {
      storage.setItem(KEY, "{}");
    },
  };
}
