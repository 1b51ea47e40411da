import type { Page } from 'playwright-core';

/**
 * Fills the Create VM form the way an admin does: opens it from the sidebar, picks the host, types
 * each field (ids as in schemas/job-inputs.yaml). Does not submit.
 */
export async function fillCreateVmForm(page: Page, hostName: string, values: Record<string, string>): Promise<void> {
  await page.getByTestId('nav-create-vm').click();
  await page.getByRole('form', { name: 'Create VM' }).waitFor();
  await page.locator('#job-host').selectOption({ label: `${hostName} (connected)` });
  for (const [id, value] of Object.entries(values)) await page.locator(`#job-${id}`).fill(value);
}

/** A Windows VM with static IPv4 and a domain join: every group of the form filled. */
export function windowsCreateValues(vmName: string, secrets: { adminPassword: string; joinPassword: string }): Record<string, string> {
  return {
    vmName,
    imagePath: 'D:\\Images\\ws2022.vhdx',
    vmRootPath: 'D:\\VMs',
    adminUser: 'labadmin',
    adminPassword: secrets.adminPassword,
    ipv4Address: '10.20.30.41',
    ipv4PrefixLength: '24',
    ipv4Gateway: '10.20.30.1',
    ipv4Dns1: '10.20.30.2',
    domainName: 'corp.example.com',
    domainJoinUser: 'CORP\\joiner',
    domainJoinPassword: secrets.joinPassword,
  };
}

/** Opens an item (VM, host, cluster) with search everywhere: type, wait for it, Enter. */
export async function openBySearch(page: Page, name: string): Promise<void> {
  await page.getByRole('searchbox', { name: 'Search everywhere' }).fill(name);
  await page.getByRole('option', { name: new RegExp(name) }).first().waitFor();
  await page.getByRole('searchbox', { name: 'Search everywhere' }).press('Enter');
  await page.getByRole('heading', { name }).waitFor();
}
