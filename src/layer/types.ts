/**
 * One entry of a layer as plain data: what packLayer writes and treeEntries yields. The same shape as
 * runtime/fs/UnionFileSystem's upperLayerEntries values, so a container's upper layer packs as it is:
 *   - `path` is absolute inside the layer ('/etc/hosts'; a missing leading '/' is accepted);
 *   - whiteouts and opaque markers carry their own `.wh.` names ('/etc/.wh.hosts', '/var/.wh..wh..opq');
 *   - a hard link's `target` is the path of another entry of the same layer (its first name).
 */
export type { LayerEntry } from '../../runtime/fs/UnionFileSystem';
