/**
 * Optional customer tags `clv-tier:<tier>` and `clv-segment:<segment>`:
 * added with tagsAdd and the other values of each removed with tagsRemove,
 * so a merchant's own tags are never touched (customerUpdate would replace
 * the whole list).
 */
import type { CrmFields } from '../../shared/crm/fields.ts';
import { RFM_GROUPS, TIERS } from '../../shared/segments/index.ts';

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export const tierTag = (tier: string) => `clv-tier:${slug(tier)}`;
export const segmentTag = (segment: string) => `clv-segment:${slug(segment)}`;

export function customerTags(fields: Pick<CrmFields, 'tier' | 'segment'>): {
  add: string[];
  remove: string[];
} {
  const add = [tierTag(fields.tier), segmentTag(fields.segment)];
  const remove = [
    ...TIERS.filter((t) => t !== slug(fields.tier)).map(tierTag),
    ...RFM_GROUPS.filter((s) => slug(s) !== slug(fields.segment)).map(segmentTag),
  ];
  return { add, remove };
}
