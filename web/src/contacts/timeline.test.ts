import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../api/client';
import { describeEntry, plainText } from './timeline';

const ada = { id: 'u1', name: 'Ada', email: 'ada@example.com' };

function entry(resource: string, action: string, before?: unknown, after?: unknown, extra: Partial<AuditEntry> = {}): AuditEntry {
  return { id: 'e', resource, action, resource_id: 'r', outcome: 'success', created_at: '2025-01-01T00:00:00Z', actor: ada, before, after, ...extra };
}

describe('timeline', () => {
  it('tells a merge on the survivor', () => {
    const merge = describeEntry(entry('contacts', 'merge', { name: 'Ann', phone: null }, { name: 'Ann', phone: '+4420' }));
    expect(merge).toEqual({ actor: 'Ada', summary: 'merged another contact into this one', details: ['Phone: — → +4420'] });
    expect(describeEntry(entry('contacts', 'merged_into', { name: 'Bea', email: 'bea@x.com' }, { survivor_id: 'c1' })).summary).toBe(
      'merged Bea into this contact',
    );
  });

  it('tells an automation’s assignment, by Guestlist', () => {
    const auto = describeEntry(
      entry('contacts', 'automate', { primary_owner: null, secondary_owner: null }, { primary_owner: { id: 'u2', name: 'Bea' }, secondary_owner: null, rule: 'chat' }, { actor: undefined }),
    );
    expect(auto).toEqual({ actor: 'Guestlist', summary: 'assigned the owners by automation', details: ['Primary owner: — → Bea'] });
  });

  it('tells a contact’s changes', () => {
    expect(describeEntry(entry('contacts', 'create', undefined, { source_label: 'via Manual' }))).toEqual({
      actor: 'Ada',
      summary: 'added the contact (via Manual)',
      details: [],
    });
    const lead = { stage: { id: 's1', name: 'Lead' }, name: 'Bo' };
    expect(describeEntry(entry('contacts', 'update', lead, { ...lead, stage: { id: 's2', name: 'Customer' } })).summary).toBe(
      'moved the contact to Customer',
    );
    expect(
      describeEntry(entry('contacts', 'update', { ...lead, email: null, custom: { plan: 'a' } }, { ...lead, email: 'bo@x.com', primary_owner: { id: 'u', name: 'Una' }, custom: { plan: 'b' } }))
        .details,
    ).toEqual(['Email: — → bo@x.com', 'Primary owner: — → Una', 'plan: a → b']);
    expect(describeEntry(entry('contacts', 'archive')).summary).toBe('archived the contact');
  });

  it('tells notes and files, and the system', () => {
    expect(describeEntry(entry('contact_notes', 'create', undefined, { body_html: '<p><strong>Call</strong> back&nbsp;Monday</p>' }))).toEqual({
      actor: 'Ada',
      summary: 'added a note',
      details: ['Call back Monday'],
    });
    expect(describeEntry(entry('contact_files', 'create', undefined, { name: 'logo.png' })).summary).toBe('uploaded logo.png');
    const rejected = describeEntry(
      entry('contact_files', 'update', { status: 'processing' }, { name: 'x.sh', status: 'rejected', reject_reason: 'script' }, { actor: undefined }),
    );
    expect(rejected).toEqual({ actor: 'Guestlist', summary: 'rejected x.sh', details: ['script'] });
    expect(describeEntry(entry('widgets', 'frobnicate')).summary).toBe('frobnicate widgets');
    expect(describeEntry(entry('contacts', 'delete', undefined, undefined, { outcome: 'denied' })).summary).toBe('tried to delete (denied)');
  });

  it('shortens note text', () => {
    expect(plainText('<ul><li>a</li><li>b</li></ul>')).toBe('a b');
    expect(plainText('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(plainText(undefined)).toBe('');
  });
});
