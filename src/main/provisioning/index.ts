// Provisioning media: the per-OS ISO images that carry the guest agents (media.ts), written by
// our own ISO 9660 + Joliet writer (iso9660.ts).
export { buildIsoImage, IsoInputError, type IsoFile, type IsoOptions } from './iso9660';
export {
  MEDIA_DATE,
  MEDIA_VERSION_FILE,
  PROVISIONING_MEDIA,
  prepareProvisioningMedia,
  ProvisioningMediaError,
  type PreparedMedia,
} from './media';
