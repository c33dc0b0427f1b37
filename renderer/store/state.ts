/**
 * The one store's shape: the slices it is made of (zustand's slices pattern) and the type each
 * slice creator has. The store itself is in store.ts; only the graph and the project's settings
 * (`Tracked`) are in undo history.
 */
import type { StateCreator, StoreApi } from 'zustand';
import type { TemporalState } from 'zundo';
import type { Tracked } from './graph';
import type { BlocksSlice } from './slices/blocks';
import type { DocumentSlice } from './slices/document';
import type { GraphSlice } from './slices/graph';
import type { TrainingSlice } from './slices/training';
import type { UiSlice } from './slices/ui';

export type AppState = GraphSlice & BlocksSlice & DocumentSlice & TrainingSlice & UiSlice;

export type History = StoreApi<TemporalState<Tracked>>;

/** A slice: it sees (and may call) the whole state; zundo's `temporal` is applied once, in store.ts. */
export type SliceCreator<T> = StateCreator<AppState, [['temporal', History]], [], T>;

export type SetState = Parameters<SliceCreator<unknown>>[0];
export type GetState = Parameters<SliceCreator<unknown>>[1];
