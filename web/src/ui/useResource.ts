import { useCallback, useEffect, useRef, useState } from 'react';
import { asApiError, type ApiError } from '../api/error';

export type Resource<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'ready'; data: T; error?: undefined }
  | { status: 'error'; data?: undefined; error: ApiError };

/**
 * Loads data once per change of `key` and again on reload(). A reload keeps showing the
 * data it replaces (`refreshing` is true meanwhile). Answers to superseded loads are dropped,
 * so a slow response cannot overwrite a newer one.
 */
export function useResource<T>(load: () => Promise<T>, key: string) {
  const [state, setState] = useState<Resource<T>>({ status: 'loading' });
  const [refreshing, setRefreshing] = useState(false);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const loadedKey = useRef<string | null>(null);

  useEffect(() => {
    let current = true;
    if (loadedKey.current !== key) setState({ status: 'loading' });
    else setRefreshing(true);
    loadRef.current()
      .then(
        (data) => current && setState({ status: 'ready', data }),
        (err: unknown) => current && setState({ status: 'error', error: asApiError(err) }),
      )
      .finally(() => {
        if (!current) return;
        loadedKey.current = key;
        setRefreshing(false);
      });
    return () => {
      current = false;
    };
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const replace = useCallback((data: T) => setState({ status: 'ready', data }), []);
  return { ...state, refreshing, reload, replace } as Resource<T> & {
    refreshing: boolean;
    reload: () => void;
    replace: (data: T) => void;
  };
}
