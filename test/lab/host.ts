/**
 * One simulated Hyper-V host: its slice of the model, virtual file system, agent script handlers,
 * knobs and counters, and the WS-Man listeners (HTTP, optionally HTTPS) that serve it.
 */
import { VirtualFileSystem } from './files';
import { DEFAULT_KNOBS, mergeKnobs, type HostKnobs, type HostStats } from './knobs';
import { Prng } from './model/prng';
import type { SimHostModel } from './model/types';
import type { RealPowerShell } from './pwsh/runtime';
import type { ScriptHandler, ShellEnvironment } from './shell/types';
import type { Credentials } from './wsman/auth';
import type { LabCertificate } from './wsman/cert';
import { ReplyFaults } from './wsman/reply-faults';
import { WsmanListener } from './wsman/server';
import { WinrsService } from './wsman/winrs';

export interface SimHostOptions {
  model: SimHostModel;
  credentials: Credentials;
  allowUnencrypted: boolean;
  certificate?: LabCertificate;
  seed: number;
}

export class SimHost {
  readonly model: SimHostModel;
  readonly files = new VirtualFileSystem();
  readonly credentials: Credentials;
  /** Broken replies to send (fault catalogue): see wsman/reply-faults.ts. */
  readonly replyFaults = new ReplyFaults();
  private currentKnobs: HostKnobs = { ...DEFAULT_KNOBS };
  /**
   * Set when this host runs PowerShell for real (lab option `realAgent`): its powershell.exe
   * commands start real pwsh processes against the simulated Hyper-V modules, and its files are on disk.
   */
  realPowerShell: RealPowerShell | undefined;
  private readonly handlers = new Map<string, ScriptHandler>();
  private readonly counters = { httpRequests: 0, concurrentCommands: 0, maxConcurrentCommands: 0, commandsStarted: 0, authFailures: 0 };
  private readonly winrs: WinrsService;
  private readonly http: WsmanListener;
  private readonly https?: WsmanListener;

  constructor(private readonly options: SimHostOptions) {
    this.model = options.model;
    // Each host its own copy, so changing one host's password leaves the others alone.
    this.credentials = { ...options.credentials };
    const env: ShellEnvironment = {
      host: this,
      computerName: this.computerName,
      userName: options.credentials.username.replace(/^.*\\/, ''),
      files: this.files,
      findScriptHandler: (fileName) => this.handlers.get(fileName.toLowerCase()),
      slowFactor: () => this.currentKnobs.slowFactor,
    };
    this.winrs = new WinrsService(this.computerName, env, {
      maxShells: () => this.currentKnobs.maxShells,
      hang: () => this.currentKnobs.hang,
      receiveChunkBytes: () => this.currentKnobs.receiveChunkBytes,
      commandStarted: () => {
        this.counters.commandsStarted++;
        this.counters.concurrentCommands++;
        this.counters.maxConcurrentCommands = Math.max(this.counters.maxConcurrentCommands, this.counters.concurrentCommands);
      },
      commandFinished: () => {
        this.counters.concurrentCommands--;
      },
    });
    const failureRng = new Prng(options.seed ^ 0x5eed);
    const listenerHost = {
      name: this.model.name,
      computerName: this.computerName,
      credentials: this.credentials,
      replyFaults: this.replyFaults,
      allowUnencrypted: options.allowUnencrypted,
      knobs: () => this.currentKnobs,
      winrs: this.winrs,
      failureRng,
      countRequest: () => void this.counters.httpRequests++,
      countAuthFailure: () => void this.counters.authFailures++,
    };
    this.http = new WsmanListener(listenerHost);
    if (options.certificate) this.https = new WsmanListener(listenerHost, options.certificate);
  }

  get name(): string {
    return this.model.name;
  }

  /** NetBIOS name, as $env:COMPUTERNAME and `hostname` print it. */
  get computerName(): string {
    return this.model.name.toUpperCase();
  }

  get httpUrl(): string {
    return this.http.url;
  }

  get httpsUrl(): string | undefined {
    return this.https?.url;
  }

  get knobs(): Readonly<HostKnobs> {
    return this.currentKnobs;
  }

  get stats(): HostStats {
    return { ...this.counters, openShells: this.winrs.openShells };
  }

  /** Changes knobs (validated, see HostKnobs for bounds). `unreachable` closes or reopens the ports. */
  async setKnobs(patch: Partial<HostKnobs>): Promise<void> {
    const next = mergeKnobs(this.currentKnobs, patch);
    const wasUnreachable = this.currentKnobs.unreachable;
    this.currentKnobs = next;
    if (next.unreachable && !wasUnreachable) await this.stopListening();
    if (!next.unreachable && wasUnreachable) await this.listen();
  }

  /**
   * Registers the TypeScript stand-in for an agent script, keyed by file name (case-insensitive,
   * e.g. 'Get-Inventory.ps1'). It runs only when a script calls that file by a path that exists in
   * `files`; an undeployed script answers PowerShell's "not recognized" error.
   */
  registerScriptHandler(fileName: string, handler: ScriptHandler): void {
    this.handlers.set(fileName.toLowerCase(), handler);
  }

  /**
   * The account's password changes on the host, as when an admin resets it: new logons need the
   * new password, and open connections are dropped (their NTLM contexts die with them).
   */
  changePassword(password: string): void {
    this.credentials.password = password;
    this.dropConnections();
  }

  /**
   * The WinRM service restarts: every shell and command is gone and open connections are dropped;
   * the listeners stay up. Clients holding a shell id get "shell not found" next.
   */
  restartWinrm(): void {
    this.winrs.closeAll();
    this.dropConnections();
  }

  /** Drops every open connection, keeping the listeners (a WinRM service restart, a flaky network). */
  dropConnections(): void {
    this.http.dropConnections();
    this.https?.dropConnections();
  }

  /** HTTPS: the host presents another certificate from now on (open connections are dropped). */
  replaceCertificate(certificate: Pick<LabCertificate, 'certPem' | 'keyPem'>): void {
    if (!this.https) throw new Error(`host ${this.name} has no HTTPS listener (start the lab with https: true)`);
    this.https.setCertificate(certificate);
    this.dropConnections();
  }

  resetStats(): void {
    this.counters.httpRequests = 0;
    this.counters.maxConcurrentCommands = this.counters.concurrentCommands;
    this.counters.commandsStarted = 0;
    this.counters.authFailures = 0;
  }

  async listen(): Promise<void> {
    await this.http.listen();
    await this.https?.listen();
  }

  private async stopListening(): Promise<void> {
    await this.http.close();
    await this.https?.close();
  }

  async close(): Promise<void> {
    this.winrs.closeAll();
    await this.stopListening();
  }
}
