/** Why the shop's scores come from a labelled heuristic rather than a fitted model, in plain words. */
import { Banner, List, Text } from '@shopify/polaris';

const sentence = (r: string) => `${r[0]!.toUpperCase()}${r.slice(1)}${/[.!?]$/.test(r) ? '' : '.'}`;

export function InsufficientData({ reasons }: { reasons: string[] }) {
  if (!reasons.length) return null;
  return (
    <div data-testid="insufficient-data">
      <Banner tone="warning" title="Not enough order history for a reliable model yet">
        <Text as="p">
          Until there is, every customer is scored with a simple estimate (average order value × how often
          they buy × how long customers stay) and the figures below are labelled as such:
        </Text>
        <List type="bullet">
          {reasons.map((r) => (
            <List.Item key={r}>{sentence(r)}</List.Item>
          ))}
        </List>
        <Text as="p">
          The model takes over by itself at the first nightly refit after the minimums are met.
        </Text>
      </Banner>
    </div>
  );
}
