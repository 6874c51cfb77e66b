/**
 * The shop's scoring settings. Shares are typed as percentages (what merchants think in) and sent as
 * fractions; the server validates (zod) and its messages are shown as they come.
 */
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  Form,
  FormLayout,
  List,
  TextField,
} from '@shopify/polaris';
import { useState } from 'react';
import type { DashboardSettings } from '../../../functions/dashboard-settings.ts';
import { ApiError, api } from '../api.ts';
import { percentInput } from '../format.ts';

type Fields = Record<'margin' | 'horizon' | 'discount' | 'platinum' | 'gold' | 'silver', string> & {
  tags: boolean;
};

const fieldsOf = (s: DashboardSettings): Fields => ({
  margin: percentInput(s.defaultMarginRate),
  horizon: String(s.horizonMonths),
  discount: percentInput(s.monthlyDiscountRate),
  platinum: percentInput(s.tierThresholds.platinum),
  gold: percentInput(s.tierThresholds.gold),
  silver: percentInput(s.tierThresholds.silver),
  tags: s.tags,
});

const fraction = (text: string) => Number(text) / 100;

export function SettingsForm(props: {
  settings: DashboardSettings;
  onSaved: (settings: DashboardSettings, rescore: 'queued' | 'nightly' | undefined) => void;
}) {
  const [fields, setFields] = useState(() => fieldsOf(props.settings));
  const [saving, setSaving] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const set = (key: keyof Fields) => (value: string | boolean) => setFields((f) => ({ ...f, [key]: value }));

  const submit = async () => {
    setSaving(true);
    setProblems([]);
    try {
      const saved = await api.saveSettings({
        defaultMarginRate: fraction(fields.margin),
        horizonMonths: Number(fields.horizon),
        monthlyDiscountRate: fraction(fields.discount),
        tierThresholds: {
          platinum: fraction(fields.platinum),
          gold: fraction(fields.gold),
          silver: fraction(fields.silver),
        },
        tags: fields.tags,
      });
      setFields(fieldsOf(saved.settings));
      props.onSaved(saved.settings, saved.rescore);
    } catch (error) {
      const issues = error instanceof ApiError ? error.body?.issues : undefined;
      setProblems(issues?.length ? issues.map((i) => `${i.path}: ${i.message}`) : [(error as Error).message]);
    } finally {
      setSaving(false);
    }
  };

  const percent = (label: string, key: keyof Fields, helpText: string) => (
    <TextField
      label={label}
      type="number"
      suffix="%"
      autoComplete="off"
      value={fields[key] as string}
      onChange={set(key)}
      helpText={helpText}
      id={`setting-${key}`}
    />
  );

  return (
    <Card>
      <div data-testid="settings">
        <Form onSubmit={submit}>
          <BlockStack gap="400">
            {problems.length ? (
              <Banner tone="critical" title="The settings were not saved">
                <List type="bullet">
                  {problems.map((p) => (
                    <List.Item key={p}>{p}</List.Item>
                  ))}
                </List>
              </Banner>
            ) : null}
            <FormLayout>
              <FormLayout.Group>
                {percent('Default margin', 'margin', 'Profit share of orders whose product cost is unknown')}
                <TextField
                  label="Horizon"
                  type="number"
                  suffix="months"
                  autoComplete="off"
                  value={fields.horizon}
                  onChange={set('horizon')}
                  helpText="How far ahead predicted CLV looks"
                  id="setting-horizon"
                />
                {percent('Discount rate', 'discount', 'Per month: future value is worth less than today’s')}
              </FormLayout.Group>
              <FormLayout.Group>
                {percent('Platinum: top', 'platinum', 'Share of customers in platinum')}
                {percent('Gold or better: top', 'gold', 'Share in gold or platinum')}
                {percent('Silver or better: top', 'silver', 'Share in silver or better; the rest are bronze')}
              </FormLayout.Group>
              <Checkbox
                label="Tag customers with their tier and group (clv-tier:…, clv-segment:…)"
                checked={fields.tags}
                onChange={set('tags')}
                id="setting-tags"
              />
            </FormLayout>
            <div>
              <Button submit variant="primary" loading={saving}>
                Save and rescore
              </Button>
            </div>
          </BlockStack>
        </Form>
      </div>
    </Card>
  );
}
