/**
 * What every node and edge on the canvas reads, handed down by the editor instead of subscribed to
 * per component: with a thousand nodes, a store subscription each means thousands of selector
 * calls on every drag step. Context values only change when the report or the level of detail
 * does, and only then do nodes re-render.
 */
import { useStore } from '@xyflow/react';
import { createContext, useContext } from 'react';
import { checkGraph, type GraphReport } from '../../shared/graph/check';
import { FAR_ZOOM } from './lib/lod';

/** For the editor itself: whether the canvas is zoomed out past `FAR_ZOOM`. */
export const useFarZoom = () => useStore((s) => s.transform[2] < FAR_ZOOM);

export const FarContext = createContext(false);
export const ReportContext = createContext<GraphReport>(checkGraph({ nodes: [], edges: [] }));

export const useFar = () => useContext(FarContext);
export const useCanvasReport = () => useContext(ReportContext);
