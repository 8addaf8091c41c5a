// Lays out the family tree off the main thread; the typed arrays are transferred back.
import { layoutTree } from './layout.dom';

self.onmessage = (event: MessageEvent<{ ids: number[]; parentIds: number[]; request: number }>) => {
  const { ids, parentIds, request } = event.data;
  try {
    const layout = layoutTree(ids, parentIds);
    const buffers = [layout.x, layout.depth, layout.childStart, layout.childIndex, layout.roots, layout.minX, layout.maxX, layout.maxDepth, layout.size].map((a) => a.buffer);
    (self as unknown as Worker).postMessage({ request, layout }, buffers);
  } catch (error) {
    (self as unknown as Worker).postMessage({ request, error: (error as Error).message });
  }
};
