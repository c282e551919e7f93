'use client';

// Pending drift reviews of a source: what agents see of the tool now (live) beside what the upstream
// now offers (proposed), field by field, and approve or reject, each after a confirmation.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { ConfirmDialog } from '@/features/ui/confirm-dialog';
import { BlockSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import type { MessageKey } from '@/i18n/en';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { ToolReviewDto } from '../api';
import { stableJson } from '../diff';
import { pendingReviewsQueryOptions, useDecideReview } from '../queries';
import { DiffView } from './diff-view';
import styles from './sources.module.css';

type Face = ToolReviewDto['live'];

const FACE_FIELDS: readonly { key: keyof Face; label: MessageKey; render: (face: Face) => string }[] = [
  { key: 'title', label: 'sources.faceTitle', render: (face) => face.title ?? '' },
  { key: 'description', label: 'sources.faceDescription', render: (face) => face.description },
  { key: 'inputSchema', label: 'sources.faceInputSchema', render: (face) => stableJson(face.inputSchema) },
  { key: 'outputSchema', label: 'sources.faceOutputSchema', render: (face) => (face.outputSchema === null ? '' : stableJson(face.outputSchema)) },
  { key: 'annotations', label: 'sources.faceAnnotations', render: (face) => stableJson(face.annotations) },
];

export function SourceReviews({ sourceId }: { sourceId: string }) {
  const t = useT();
  const reviews = useQuery(pendingReviewsQueryOptions(sourceId));

  // Nothing to decide: the section stays out of the way.
  if (reviews.isSuccess && reviews.data.items.length === 0) return null;

  return (
    <section className="section" id="reviews" aria-labelledby="reviews-heading">
      <div className="section-header">
        <h2 id="reviews-heading">{t('sources.reviews')}</h2>
      </div>
      {reviews.isPending ? (
        <BlockSkeleton label={t('sources.loadingReviews')} />
      ) : reviews.isError ? (
        <ErrorNotice error={reviews.error} title={t('sources.reviewsError')} onRetry={() => void reviews.refetch()} />
      ) : (
        <>
          <p className="muted">{t('sources.reviewsIntro')}</p>
          {reviews.data.items.map((review) => (
            <ReviewCard key={review.id} review={review} />
          ))}
        </>
      )}
    </section>
  );
}

function ReviewCard({ review }: { review: ToolReviewDto }) {
  const t = useT();
  const format = useFormat();
  const { can } = useAccess();
  const decide = useDecideReview();
  const [confirming, setConfirming] = useState<'approve' | 'reject' | null>(null);

  const fields = FACE_FIELDS.map((field) => ({ ...field, before: field.render(review.live), after: field.render(review.proposed) }));
  const changed = fields.filter((field) => field.before !== field.after);
  const unchanged = fields.filter((field) => field.before === field.after);

  function close() {
    setConfirming(null);
    decide.reset();
  }

  return (
    <article className={`card ${styles.review}`} aria-labelledby={`review-${review.id}`}>
      <div className={styles.reviewHeader}>
        <div>
          <h3 id={`review-${review.id}`} className="card-title">
            <code>{review.toolName}</code>
          </h3>
          <p className="field-hint">{t('sources.reviewDetected', { when: format.dateTime(review.detectedAt) })}</p>
        </div>
        {can('writeConfig') && (
          <div className={styles.reviewActions}>
            <button type="button" className="button button-secondary" onClick={() => setConfirming('reject')}>
              {t('sources.reject')}
            </button>
            <button type="button" className="button button-primary" onClick={() => setConfirming('approve')}>
              {t('sources.approve')}
            </button>
          </div>
        )}
      </div>
      {changed.map((field) => (
        <div key={field.key} className={styles.rows}>
          <h4 className={styles.fieldHeading}>{t(field.label)}</h4>
          <DiffView
            before={field.before}
            after={field.after}
            beforeLabel={t('sources.live')}
            afterLabel={t('sources.proposed')}
            caption={t('sources.diffCaption', { field: t(field.label), tool: review.toolName })}
          />
        </div>
      ))}
      {changed.length === 0 && <p className="muted">{t('sources.reviewNoVisibleChange')}</p>}
      {unchanged.length > 0 && <p className="field-hint">{t('sources.reviewUnchanged', { fields: unchanged.map((field) => t(field.label)).join(', ') })}</p>}

      <ConfirmDialog
        open={confirming !== null}
        title={t(confirming === 'approve' ? 'sources.approveTitle' : 'sources.rejectTitle', { tool: review.toolName })}
        confirmLabel={t(confirming === 'approve' ? 'sources.approve' : 'sources.reject')}
        tone={confirming === 'approve' ? 'primary' : 'danger'}
        pending={decide.isPending}
        error={decide.error}
        onCancel={close}
        onConfirm={() => {
          const decision = confirming!;
          decide.mutate(
            { id: review.id, decision, sourceId: review.sourceId },
            {
              onSuccess: () => {
                close();
                toast.success(t(decision === 'approve' ? 'sources.approved' : 'sources.rejected', { tool: review.toolName }));
              },
            },
          );
        }}
      >
        <p>{t(confirming === 'approve' ? 'sources.approveBody' : 'sources.rejectBody')}</p>
      </ConfirmDialog>
    </article>
  );
}
