import { compileJobSchema, loadJobSchema } from '../../src/main/jobs';

/** The bundled schema, compiled once per test file. */
export const compiled = compileJobSchema(loadJobSchema());

/** A complete, valid Windows submission as a form would send it (all text). */
export function windowsForm(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    vmName: 'web01',
    imagePath: 'D:\\Images\\ws2022.vhdx',
    cpuCount: '4',
    memoryGB: '8',
    generation: '2',
    clustered: 'false',
    vmRootPath: 'C:\\ClusterStorage\\Volume1\\VMs',
    switchName: 'External',
    adminUser: 'admin',
    adminPassword: 'Adm1n-Secret-7731',
    ...extra,
  };
}

export const STATIC_IP = { ipv4Address: '10.0.10.21', ipv4PrefixLength: '24', ipv4Gateway: '10.0.10.1', ipv4Dns1: '10.0.0.53' };
export const DOMAIN = { domainName: 'corp.example.com', domainJoinUser: 'CORP\\svc-join', domainJoinPassword: 'J0in-Secret-5512' };
