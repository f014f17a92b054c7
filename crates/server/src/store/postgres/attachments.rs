//! PostgreSQL's SQL for attachments' content (see [`attachments`](super::super::attachments)).
//! A chunk's transaction locks the attachment's content row; the first chunk of a file also takes
//! its centre's turn, so that two files started at once on two instances cannot both fit in the
//! room left for one. Two first chunks of one file made at once collide on its key, and the one
//! that lost runs again and finds the content made.

use super::super::attachments::{
    self, Content, ContentTx, Declared, Kept, Limits, StoredAttachment, digest_of,
};
use super::super::rows::{millis, parse_json};
use super::super::{AttachmentStore, CentreId, StoreError};
use super::{PostgresStore, contended, retrying};
use sakhi_domain::RecordId;
use sakhi_domain::wire::attachment::Upload;
use sqlx::{Postgres, Transaction};

impl AttachmentStore for PostgresStore {
    async fn attachment(
        &self,
        centre: CentreId,
        id: RecordId,
    ) -> Result<Option<StoredAttachment>, StoreError> {
        let row: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT body, created_by FROM records
             WHERE id = $1 AND centre_id = $2 AND kind = 'attachment'",
        )
        .bind(id.to_string())
        .bind(centre.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(body, created_by)| {
            Ok(StoredAttachment {
                record: parse_json(&body, "record")?,
                created_by,
            })
        })
        .transpose()
    }

    async fn keep_chunk(
        &self,
        centre: CentreId,
        id: RecordId,
        declared: &Declared,
        chunk: (u32, &[u8]),
        limits: Limits,
        now: u64,
    ) -> Result<Kept, StoreError> {
        retrying(contended, || async {
            let mut tx = self.pool.begin().await?;
            let kept = attachments::keep(&mut tx, centre, id, declared, chunk, limits, now).await?;
            tx.commit().await?;
            Ok(kept)
        })
        .await
    }

    async fn upload(&self, id: RecordId) -> Result<Option<Upload>, StoreError> {
        // The content's row is locked while its chunks are read: one snapshot of both.
        let mut tx = self.pool.begin().await?;
        let upload = attachments::upload(&mut tx, id).await?;
        tx.commit().await?;
        Ok(upload)
    }

    async fn chunk(&self, id: RecordId, n: u32) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT bytes FROM attachment_chunks AS c
             JOIN attachment_contents AS a ON a.record_id = c.record_id
             WHERE c.record_id = $1 AND c.n = $2 AND a.complete_at IS NOT NULL",
        )
        .bind(id.to_string())
        .bind(i64::from(n))
        .fetch_optional(&self.pool)
        .await?)
    }
}

impl ContentTx for Transaction<'_, Postgres> {
    async fn content(&mut self, id: RecordId) -> Result<Option<Content>, StoreError> {
        let row: Option<(i32, Option<i64>)> = sqlx::query_as(
            "SELECT chunks, complete_at FROM attachment_contents WHERE record_id = $1 FOR UPDATE",
        )
        .bind(id.to_string())
        .fetch_optional(&mut **self)
        .await?;
        row.map(|(chunks, complete_at)| {
            Ok(Content {
                chunks: u32::try_from(chunks).map_err(|_| {
                    StoreError::Corrupt(format!("an attachment in {chunks} chunks"))
                })?,
                complete: complete_at.is_some(),
            })
        })
        .transpose()
    }

    async fn held(&mut self, centre: CentreId, case: RecordId) -> Result<(u64, u64), StoreError> {
        let (case, all): (i64, i64) = sqlx::query_as(
            "WITH turn AS (SELECT id FROM centres WHERE id = $1 FOR NO KEY UPDATE)
             SELECT COALESCE(SUM(size) FILTER (WHERE case_id = $2), 0)::bigint,
                    COALESCE(SUM(size), 0)::bigint
             FROM attachment_contents WHERE centre_id = (SELECT id FROM turn)",
        )
        .bind(centre.to_string())
        .bind(case.to_string())
        .fetch_one(&mut **self)
        .await?;
        Ok((
            u64::try_from(case).unwrap_or_default(),
            u64::try_from(all).unwrap_or_default(),
        ))
    }

    async fn make_content(
        &mut self,
        centre: CentreId,
        id: RecordId,
        declared: &Declared,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO attachment_contents (record_id, centre_id, case_id, size, sha256, chunks)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(centre.to_string())
        .bind(declared.case.to_string())
        .bind(millis(declared.size))
        .bind(&declared.sha256)
        .bind(i32::try_from(declared.chunks()).unwrap_or(i32::MAX))
        .execute(&mut **self)
        .await?;
        Ok(())
    }

    async fn keep_chunk(&mut self, id: RecordId, n: u32, bytes: &[u8]) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO attachment_chunks (record_id, n, bytes) VALUES ($1, $2, $3)
             ON CONFLICT (record_id, n) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(i32::try_from(n).unwrap_or(i32::MAX))
        .bind(bytes)
        .execute(&mut **self)
        .await?;
        Ok(())
    }

    async fn received(&mut self, id: RecordId) -> Result<Vec<u32>, StoreError> {
        let numbers: Vec<i32> =
            sqlx::query_scalar("SELECT n FROM attachment_chunks WHERE record_id = $1 ORDER BY n")
                .bind(id.to_string())
                .fetch_all(&mut **self)
                .await?;
        Ok(numbers
            .into_iter()
            .filter_map(|n| u32::try_from(n).ok())
            .collect())
    }

    async fn digest(&mut self, id: RecordId) -> Result<String, StoreError> {
        let chunks: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT bytes FROM attachment_chunks WHERE record_id = $1 ORDER BY n",
        )
        .bind(id.to_string())
        .fetch_all(&mut **self)
        .await?;
        Ok(digest_of(chunks.iter().map(Vec::as_slice)))
    }

    async fn drop_content(&mut self, id: RecordId) -> Result<(), StoreError> {
        sqlx::query(
            "WITH gone AS (DELETE FROM attachment_chunks WHERE record_id = $1)
             DELETE FROM attachment_contents WHERE record_id = $1",
        )
        .bind(id.to_string())
        .execute(&mut **self)
        .await?;
        Ok(())
    }

    async fn complete(&mut self, id: RecordId, now: u64) -> Result<(), StoreError> {
        sqlx::query("UPDATE attachment_contents SET complete_at = $1 WHERE record_id = $2")
            .bind(millis(now))
            .bind(id.to_string())
            .execute(&mut **self)
            .await?;
        Ok(())
    }
}
