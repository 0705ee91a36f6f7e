"""users and personas: accounts, and personas with one column per catalogue trait.

Scale traits are SMALLINT with a CHECK 1..10; text traits VARCHAR. pg_trgm backs the
case-insensitive name/description search.

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 10:58:37.524061
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    op.create_index('uq_users_email_lower', 'users', [sa.literal_column('lower(email)')], unique=True)
    op.create_index('uq_users_username_lower', 'users', [sa.literal_column('lower(username)')], unique=True)
    op.create_table('personas',
    sa.Column('vocabulary_complexity', sa.SmallInteger(), nullable=True),
    sa.Column('idiom_usage', sa.SmallInteger(), nullable=True),
    sa.Column('metaphor_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('simile_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('contraction_usage', sa.SmallInteger(), nullable=True),
    sa.Column('passive_voice_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('rhetorical_question_usage', sa.SmallInteger(), nullable=True),
    sa.Column('list_usage_tendency', sa.SmallInteger(), nullable=True),
    sa.Column('personal_anecdote_inclusion', sa.SmallInteger(), nullable=True),
    sa.Column('pop_culture_reference_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('technical_jargon_usage', sa.SmallInteger(), nullable=True),
    sa.Column('parenthetical_aside_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('humor_sarcasm_usage', sa.SmallInteger(), nullable=True),
    sa.Column('emotional_expressiveness', sa.SmallInteger(), nullable=True),
    sa.Column('emphatic_device_usage', sa.SmallInteger(), nullable=True),
    sa.Column('quotation_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('analogy_usage', sa.SmallInteger(), nullable=True),
    sa.Column('sensory_detail_inclusion', sa.SmallInteger(), nullable=True),
    sa.Column('onomatopoeia_usage', sa.SmallInteger(), nullable=True),
    sa.Column('alliteration_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('foreign_phrase_usage', sa.SmallInteger(), nullable=True),
    sa.Column('rhetorical_device_usage', sa.SmallInteger(), nullable=True),
    sa.Column('statistical_data_usage', sa.SmallInteger(), nullable=True),
    sa.Column('personal_opinion_inclusion', sa.SmallInteger(), nullable=True),
    sa.Column('transition_usage', sa.SmallInteger(), nullable=True),
    sa.Column('reader_question_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('imperative_sentence_usage', sa.SmallInteger(), nullable=True),
    sa.Column('dialogue_inclusion', sa.SmallInteger(), nullable=True),
    sa.Column('regional_dialect_usage', sa.SmallInteger(), nullable=True),
    sa.Column('hedging_language_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('personal_belief_inclusion', sa.SmallInteger(), nullable=True),
    sa.Column('repetition_usage', sa.SmallInteger(), nullable=True),
    sa.Column('subordinate_clause_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('sensory_imagery_usage', sa.SmallInteger(), nullable=True),
    sa.Column('symbolism_usage', sa.SmallInteger(), nullable=True),
    sa.Column('digression_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('formality_level', sa.SmallInteger(), nullable=True),
    sa.Column('reflection_inclusion', sa.SmallInteger(), nullable=True),
    sa.Column('irony_usage', sa.SmallInteger(), nullable=True),
    sa.Column('neologism_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('ellipsis_usage', sa.SmallInteger(), nullable=True),
    sa.Column('cultural_reference_inclusion', sa.SmallInteger(), nullable=True),
    sa.Column('stream_of_consciousness_usage', sa.SmallInteger(), nullable=True),
    sa.Column('sentence_structure', sa.String(length=100), nullable=True),
    sa.Column('paragraph_organization', sa.String(length=100), nullable=True),
    sa.Column('tone', sa.String(length=100), nullable=True),
    sa.Column('punctuation_style', sa.String(length=100), nullable=True),
    sa.Column('pronoun_preference', sa.String(length=100), nullable=True),
    sa.Column('word_length_preference', sa.String(length=100), nullable=True),
    sa.Column('language_abstraction', sa.String(length=100), nullable=True),
    sa.Column('verb_type_preference', sa.String(length=100), nullable=True),
    sa.Column('openness_to_experience', sa.SmallInteger(), nullable=True),
    sa.Column('conscientiousness', sa.SmallInteger(), nullable=True),
    sa.Column('extraversion', sa.SmallInteger(), nullable=True),
    sa.Column('agreeableness', sa.SmallInteger(), nullable=True),
    sa.Column('emotional_stability', sa.SmallInteger(), nullable=True),
    sa.Column('emotion_level', sa.SmallInteger(), nullable=True),
    sa.Column('empathy_level', sa.SmallInteger(), nullable=True),
    sa.Column('self_confidence', sa.SmallInteger(), nullable=True),
    sa.Column('risk_taking_tendency', sa.SmallInteger(), nullable=True),
    sa.Column('creativity_level', sa.SmallInteger(), nullable=True),
    sa.Column('dominant_motivations', sa.String(length=200), nullable=True),
    sa.Column('core_values', sa.String(length=200), nullable=True),
    sa.Column('decision_making_style', sa.String(length=100), nullable=True),
    sa.Column('idealism_vs_realism', sa.String(length=100), nullable=True),
    sa.Column('conflict_resolution_style', sa.String(length=100), nullable=True),
    sa.Column('relationship_orientation', sa.String(length=100), nullable=True),
    sa.Column('emotional_response_tendency', sa.String(length=100), nullable=True),
    sa.Column('age', sa.String(length=100), nullable=True),
    sa.Column('gender', sa.String(length=100), nullable=True),
    sa.Column('education_level', sa.String(length=100), nullable=True),
    sa.Column('professional_background', sa.String(length=100), nullable=True),
    sa.Column('cultural_background', sa.String(length=100), nullable=True),
    sa.Column('primary_language', sa.String(length=100), nullable=True),
    sa.Column('language_fluency', sa.String(length=100), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('analysis_job_id', sa.Uuid(), nullable=True),
    sa.Column('legacy_source', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.CheckConstraint('agreeableness BETWEEN 1 AND 10', name=op.f('ck_personas_agreeableness_range')),
    sa.CheckConstraint('alliteration_frequency BETWEEN 1 AND 10', name=op.f('ck_personas_alliteration_frequency_range')),
    sa.CheckConstraint('analogy_usage BETWEEN 1 AND 10', name=op.f('ck_personas_analogy_usage_range')),
    sa.CheckConstraint('char_length(name) BETWEEN 1 AND 100', name=op.f('ck_personas_name_length')),
    sa.CheckConstraint('conscientiousness BETWEEN 1 AND 10', name=op.f('ck_personas_conscientiousness_range')),
    sa.CheckConstraint('contraction_usage BETWEEN 1 AND 10', name=op.f('ck_personas_contraction_usage_range')),
    sa.CheckConstraint('creativity_level BETWEEN 1 AND 10', name=op.f('ck_personas_creativity_level_range')),
    sa.CheckConstraint('cultural_reference_inclusion BETWEEN 1 AND 10', name=op.f('ck_personas_cultural_reference_inclusion_range')),
    sa.CheckConstraint('dialogue_inclusion BETWEEN 1 AND 10', name=op.f('ck_personas_dialogue_inclusion_range')),
    sa.CheckConstraint('digression_frequency BETWEEN 1 AND 10', name=op.f('ck_personas_digression_frequency_range')),
    sa.CheckConstraint('ellipsis_usage BETWEEN 1 AND 10', name=op.f('ck_personas_ellipsis_usage_range')),
    sa.CheckConstraint('emotion_level BETWEEN 1 AND 10', name=op.f('ck_personas_emotion_level_range')),
    sa.CheckConstraint('emotional_expressiveness BETWEEN 1 AND 10', name=op.f('ck_personas_emotional_expressiveness_range')),
    sa.CheckConstraint('emotional_stability BETWEEN 1 AND 10', name=op.f('ck_personas_emotional_stability_range')),
    sa.CheckConstraint('empathy_level BETWEEN 1 AND 10', name=op.f('ck_personas_empathy_level_range')),
    sa.CheckConstraint('emphatic_device_usage BETWEEN 1 AND 10', name=op.f('ck_personas_emphatic_device_usage_range')),
    sa.CheckConstraint('extraversion BETWEEN 1 AND 10', name=op.f('ck_personas_extraversion_range')),
    sa.CheckConstraint('foreign_phrase_usage BETWEEN 1 AND 10', name=op.f('ck_personas_foreign_phrase_usage_range')),
    sa.CheckConstraint('formality_level BETWEEN 1 AND 10', name=op.f('ck_personas_formality_level_range')),
    sa.CheckConstraint('hedging_language_frequency BETWEEN 1 AND 10', name=op.f('ck_personas_hedging_language_frequency_range')),
    sa.CheckConstraint('humor_sarcasm_usage BETWEEN 1 AND 10', name=op.f('ck_personas_humor_sarcasm_usage_range')),
    sa.CheckConstraint('idiom_usage BETWEEN 1 AND 10', name=op.f('ck_personas_idiom_usage_range')),
    sa.CheckConstraint('imperative_sentence_usage BETWEEN 1 AND 10', name=op.f('ck_personas_imperative_sentence_usage_range')),
    sa.CheckConstraint('irony_usage BETWEEN 1 AND 10', name=op.f('ck_personas_irony_usage_range')),
    sa.CheckConstraint('list_usage_tendency BETWEEN 1 AND 10', name=op.f('ck_personas_list_usage_tendency_range')),
    sa.CheckConstraint('metaphor_frequency BETWEEN 1 AND 10', name=op.f('ck_personas_metaphor_frequency_range')),
    sa.CheckConstraint('neologism_frequency BETWEEN 1 AND 10', name=op.f('ck_personas_neologism_frequency_range')),
    sa.CheckConstraint('onomatopoeia_usage BETWEEN 1 AND 10', name=op.f('ck_personas_onomatopoeia_usage_range')),
    sa.CheckConstraint('openness_to_experience BETWEEN 1 AND 10', name=op.f('ck_personas_openness_to_experience_range')),
    sa.CheckConstraint('parenthetical_aside_frequency BETWEEN 1 AND 10', name=op.f('ck_personas_parenthetical_aside_frequency_range')),
    sa.CheckConstraint('passive_voice_frequency BETWEEN 1 AND 10', name=op.f('ck_personas_passive_voice_frequency_range')),
    sa.CheckConstraint('personal_anecdote_inclusion BETWEEN 1 AND 10', name=op.f('ck_personas_personal_anecdote_inclusion_range')),
    sa.CheckConstraint('personal_belief_inclusion BETWEEN 1 AND 10', name=op.f('ck_personas_personal_belief_inclusion_range')),
    sa.CheckConstraint('personal_opinion_inclusion BETWEEN 1 AND 10', name=op.f('ck_personas_personal_opinion_inclusion_range')),
    sa.CheckConstraint('pop_culture_reference_frequency BETWEEN 1 AND 10', name=op.f('ck_personas_pop_culture_reference_frequency_range')),
    sa.CheckConstraint('quotation_frequency BETWEEN 1 AND 10', name=op.f('ck_personas_quotation_frequency_range')),
    sa.CheckConstraint('reader_question_frequency BETWEEN 1 AND 10', name=op.f('ck_personas_reader_question_frequency_range')),
    sa.CheckConstraint('reflection_inclusion BETWEEN 1 AND 10', name=op.f('ck_personas_reflection_inclusion_range')),
    sa.CheckConstraint('regional_dialect_usage BETWEEN 1 AND 10', name=op.f('ck_personas_regional_dialect_usage_range')),
    sa.CheckConstraint('repetition_usage BETWEEN 1 AND 10', name=op.f('ck_personas_repetition_usage_range')),
    sa.CheckConstraint('rhetorical_device_usage BETWEEN 1 AND 10', name=op.f('ck_personas_rhetorical_device_usage_range')),
    sa.CheckConstraint('rhetorical_question_usage BETWEEN 1 AND 10', name=op.f('ck_personas_rhetorical_question_usage_range')),
    sa.CheckConstraint('risk_taking_tendency BETWEEN 1 AND 10', name=op.f('ck_personas_risk_taking_tendency_range')),
    sa.CheckConstraint('self_confidence BETWEEN 1 AND 10', name=op.f('ck_personas_self_confidence_range')),
    sa.CheckConstraint('sensory_detail_inclusion BETWEEN 1 AND 10', name=op.f('ck_personas_sensory_detail_inclusion_range')),
    sa.CheckConstraint('sensory_imagery_usage BETWEEN 1 AND 10', name=op.f('ck_personas_sensory_imagery_usage_range')),
    sa.CheckConstraint('simile_frequency BETWEEN 1 AND 10', name=op.f('ck_personas_simile_frequency_range')),
    sa.CheckConstraint('statistical_data_usage BETWEEN 1 AND 10', name=op.f('ck_personas_statistical_data_usage_range')),
    sa.CheckConstraint('stream_of_consciousness_usage BETWEEN 1 AND 10', name=op.f('ck_personas_stream_of_consciousness_usage_range')),
    sa.CheckConstraint('subordinate_clause_frequency BETWEEN 1 AND 10', name=op.f('ck_personas_subordinate_clause_frequency_range')),
    sa.CheckConstraint('symbolism_usage BETWEEN 1 AND 10', name=op.f('ck_personas_symbolism_usage_range')),
    sa.CheckConstraint('technical_jargon_usage BETWEEN 1 AND 10', name=op.f('ck_personas_technical_jargon_usage_range')),
    sa.CheckConstraint('transition_usage BETWEEN 1 AND 10', name=op.f('ck_personas_transition_usage_range')),
    sa.CheckConstraint('vocabulary_complexity BETWEEN 1 AND 10', name=op.f('ck_personas_vocabulary_complexity_range')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_personas_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personas'))
    )
    op.create_index('ix_personas_description_trgm', 'personas', ['description'], unique=False, postgresql_using='gin', postgresql_ops={'description': 'gin_trgm_ops'})
    op.create_index('ix_personas_name_trgm', 'personas', ['name'], unique=False, postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
    op.create_index('ix_personas_owner_created', 'personas', ['owner_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_personas_owner_name', 'personas', ['owner_id', 'name', 'id'], unique=False)
    op.create_index('ix_personas_owner_updated', 'personas', ['owner_id', 'updated_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_personas_owner_updated', table_name='personas')
    op.drop_index('ix_personas_owner_name', table_name='personas')
    op.drop_index('ix_personas_owner_created', table_name='personas')
    op.drop_index('ix_personas_name_trgm', table_name='personas', postgresql_using='gin')
    op.drop_index('ix_personas_description_trgm', table_name='personas', postgresql_using='gin')
    op.drop_table('personas')
    op.drop_index('uq_users_username_lower', table_name='users')
    op.drop_index('uq_users_email_lower', table_name='users')
    op.drop_table('users')
    op.execute("DROP EXTENSION IF EXISTS pg_trgm")
