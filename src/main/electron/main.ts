// Electron entry point (built by electron-vite into out/main/index.js).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startElectronApp } from './app';

void startElectronApp(path.dirname(fileURLToPath(import.meta.url)));
