/** About a metre: more would only describe the phone's noise. */
export const roundCoordinate = (value: number) => Math.round(value * 100_000) / 100_000;
