/** A value of a request as an error message tells it: never at length, nor an object's content. */
export const shown = (value: unknown): string => {
  if (typeof value !== 'string') return `(a ${value === null ? 'null' : typeof value})`;
  return value.length > 64 ? `${value.slice(0, 64)}...` : value;
};
