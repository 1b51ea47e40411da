// Command palette: VM actions for the VM on screen or the table's selection, plus navigation;
// opened with Ctrl+Shift+P / Ctrl+P, fully keyboard operable.
export { CommandPalette, usePaletteShortcut } from './CommandPalette';
export { isPaletteShortcut, matchCommands, paletteCommands, type PaletteCommand } from './palette-model';
