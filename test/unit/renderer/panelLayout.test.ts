/**
 * The side panels' layout: each between 180 px and 45% of the window, the two leaving the canvas its
 * minimum (the wider giving way first), a collapsed one counting as its strip; and what is read back
 * from localStorage, whatever it holds.
 */
import { describe, expect, it } from 'vitest';
import {
  COLLAPSED_WIDTH,
  MIN_CANVAS_WIDTH,
  MIN_PANEL_WIDTH,
  PANEL_DEFAULT_WIDTH,
  type PanelState,
  panelLayout,
  parsePanelState,
} from '../../../renderer/store/panelLayout';

const open = (width: number): PanelState => ({ width, collapsed: false });
const shut = (width: number): PanelState => ({ width, collapsed: true });

describe('panelLayout', () => {
  it('shows the remembered widths when they fit', () => {
    expect(panelLayout({ palette: open(230), sidebar: open(340) }, 1280)).toEqual({
      palette: { width: 230, max: 576 },
      sidebar: { width: 340, max: 576 },
    });
  });

  it('keeps each panel between the minimum and 45% of the window', () => {
    const l = panelLayout({ palette: open(20), sidebar: open(5000) }, 1920);
    expect(l.palette.width).toBe(MIN_PANEL_WIDTH);
    expect(l.sidebar.width).toBe(Math.floor(1920 * 0.45));
  });

  it('leaves the canvas its minimum: the wider panel gives way first', () => {
    const l = panelLayout({ palette: open(460), sidebar: open(300) }, 1024);
    expect(l.sidebar.width).toBe(300);
    expect(l.palette.width).toBe(1024 - MIN_CANVAS_WIDTH - 300);
    expect(l.palette.max).toBe(l.palette.width);
    expect(l.sidebar.max).toBe(300);
  });

  it('never narrows a panel below the minimum, even when the window is too small for both', () => {
    const l = panelLayout({ palette: open(400), sidebar: open(400) }, 600);
    expect(l.palette.width).toBe(MIN_PANEL_WIDTH);
    expect(l.sidebar.width).toBe(MIN_PANEL_WIDTH);
  });

  it('counts a collapsed panel as its strip, and keeps its width for when it opens', () => {
    const l = panelLayout({ palette: shut(300), sidebar: open(5000) }, 1024);
    expect(l.sidebar.width).toBe(Math.floor(1024 * 0.45));
    expect(l.sidebar.max).toBe(Math.min(Math.floor(1024 * 0.45), 1024 - MIN_CANVAS_WIDTH - COLLAPSED_WIDTH));
    expect(l.palette.width).toBe(300);
  });
});

describe('parsePanelState', () => {
  const fallback = { width: PANEL_DEFAULT_WIDTH.palette, collapsed: false };

  it('reads what was remembered', () => {
    expect(parsePanelState('{"width":312,"collapsed":true}', fallback)).toEqual({
      width: 312,
      collapsed: true,
    });
  });

  it('falls back for nothing, malformed JSON, or fields of the wrong type', () => {
    expect(parsePanelState(null, fallback)).toEqual(fallback);
    expect(parsePanelState('{not json', fallback)).toEqual(fallback);
    expect(parsePanelState('null', fallback)).toEqual(fallback);
    expect(parsePanelState('[1,2]', fallback)).toEqual(fallback);
    expect(parsePanelState('{"width":"wide","collapsed":1}', fallback)).toEqual(fallback);
    expect(parsePanelState('{"width":1e999}', fallback)).toEqual(fallback);
    expect(parsePanelState('{"collapsed":true}', fallback)).toEqual({ ...fallback, collapsed: true });
  });
});
