// A localStorage value that React components can subscribe to. The tenant
// selection and the locale both need "survives reload, read outside React,
// re-render on change" — this is the one implementation they share.
import { useSyncExternalStore } from 'react';

export interface LocalStorageStore {
  get(): string | null;
  set(value: string | null): void;
  /** The stored value, or `null` during server rendering and hydration. */
  useValue(): string | null;
}

export function createLocalStorageStore(key: string): LocalStorageStore {
  const listeners = new Set<() => void>();

  function get(): string | null {
    if (typeof window === 'undefined') return null;
    try {
      return window.localStorage.getItem(key);
    } catch {
      // Storage can throw (privacy mode, disabled cookies); behave as if unset.
      return null;
    }
  }

  function set(value: string | null): void {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch {
      // Not persisted, but listeners still need to hear about the change.
    }
    listeners.forEach((listener) => listener());
  }

  function subscribe(listener: () => void): () => void {
    listeners.add(listener);
    // Another tab changing the value must not leave this tab showing a stale one.
    const onStorage = (event: StorageEvent) => {
      if (event.key === key) listener();
    };
    window.addEventListener('storage', onStorage);
    return () => {
      listeners.delete(listener);
      window.removeEventListener('storage', onStorage);
    };
  }

  function useValue(): string | null {
    return useSyncExternalStore(subscribe, get, () => null);
  }

  return { get, set, useValue };
}
