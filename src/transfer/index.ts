export { tarArchive, writeDirectory, type ArchiveFile, type TarArchiveOptions } from './archive';
export { InvalidArchiveError } from './errors';
export {
  OCI_LAYOUT_FILE,
  OCI_LAYOUT_VERSION,
  dockerArchiveFiles,
  exportDockerArchive,
  exportOciArchive,
  exportOciLayout,
  ociLayoutFiles,
  type DirectoryTarget,
  type DockerArchiveOptions,
  type ExportStores,
} from './export';
export { isNotFound, joinPath, type TransferFs } from './fs';
export {
  importArchive,
  importOciLayout,
  type ImportOptions,
  type ImportResult,
  type ImportStores,
  type ImportedImage,
  type LayoutDirectory,
} from './import';
export type { ExportSubject } from './subjects';
export { tarMembers, type TarMember } from './tarReader';
