// views: the one formatter of the table's cells and exports (src/shared/vm-cells.ts) owns these.
export { cpuUsageText, heldMemoryText } from '../../shared/vm-cells';
