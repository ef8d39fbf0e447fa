import type { KeyStatus } from '../../api/operations';
import { h } from '../../dom';

const LABELS: Record<KeyStatus, string> = {
  PENDING: 'Pending',
  VALID: 'Valid',
  INVALID: 'Invalid',
  UNREACHABLE: 'Unreachable',
};

/** A status pill; screen readers hear changes (live region), colour is never the only signal. */
export function statusBadge(): { element: HTMLElement; set(status: KeyStatus, enabled: boolean): void } {
  const element = h('span', { class: 'badge', role: 'status', 'aria-live': 'polite' });
  return {
    element,
    set(status, enabled) {
      element.dataset.status = status;
      element.className = `badge badge-${status.toLowerCase()}${enabled ? '' : ' badge-off'}`;
      element.textContent = enabled ? LABELS[status] : `${LABELS[status]} · disabled`;
    },
  };
}
