import { describe, expect, test } from 'vitest';
import { clusterLabelNote, clusterOf } from '../../src/renderer/stores/inventory-derived';
import { vmClusterText } from '../../src/renderer/features/inventory/ClusterMembership';
import { makeHost, makeHostView } from './fixtures';

describe('cluster membership: what the host reports; the Settings label only beside it', () => {
  test('the reported cluster is membership; a Settings label never is', () => {
    expect(clusterOf(makeHost('hv01', { cluster: 'CLU-A' }))).toBe('CLU-A');
    expect(clusterOf(makeHost('hv01', { cluster: null }))).toBeUndefined();
    expect(clusterOf(undefined)).toBeUndefined();
  });

  test('the label shows beside only when it says something the report does not', () => {
    const labelled = makeHostView('hv01', { cluster: 'Lab B' });
    expect(clusterLabelNote(labelled, makeHost('hv01', { cluster: null }))).toBe('Lab B');
    expect(clusterLabelNote(labelled, makeHost('hv01', { cluster: 'CLU-A' }))).toBe('Lab B');
    expect(clusterLabelNote(makeHostView('hv01', { cluster: 'CLU-A' }), makeHost('hv01', { cluster: 'CLU-A' }))).toBeUndefined();
    expect(clusterLabelNote(makeHostView('hv01', { cluster: '  ' }), makeHost('hv01'))).toBeUndefined();
  });

  test("the VM page's cluster agrees with its host's reported membership", () => {
    expect(vmClusterText({ clustered: false }, makeHost('hv01', { cluster: 'CLU-A' }))).toBe('CLU-A · not a cluster role (runs on this node only)');
    expect(vmClusterText({ clustered: true }, makeHost('hv01', { cluster: 'CLU-A' }))).toBe('CLU-A · cluster role (highly available)');
    // A role flag left from before the host was re-pointed does not invent a cluster.
    expect(vmClusterText({ clustered: true }, makeHost('hv01', { cluster: null }))).toBe('None (standalone host)');
    expect(vmClusterText({ clustered: false }, makeHost('hv01', { cluster: null }, { lastSuccessAt: null }))).toBe('Not reported yet');
  });
});
