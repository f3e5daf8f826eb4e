
import django.db.models.deletion
import django_countries.fields
import programmes.models
import traffick_cm.fields
from django.db import migrations, models


# Donors and projects moved from reports/ to programmes/ (the apps' layers). The tables keep
# their names (db_table): only Django's state changes, nothing in the database.

class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("reports", "0003_ctdc_release"),
        ('partners', '0004_pathway_whole_country_unique'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Donor',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                        ('acronym', models.CharField(blank=True, max_length=40, verbose_name='acronym')),
                        ('country', django_countries.fields.CountryField(blank=True, max_length=2, verbose_name='country')),
                    ],
                    options={
                        'verbose_name': 'donor',
                        'verbose_name_plural': 'donors',
                        'db_table': 'reports_donor',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Project',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=40, unique=True, verbose_name='code')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('countries', django_countries.fields.CountryField(max_length=746, multiple=True, verbose_name='countries')),
                        ('start_date', models.DateField(verbose_name='start date')),
                        ('end_date', models.DateField(verbose_name='end date')),
                        ('sdg_targets', traffick_cm.fields.ChoiceListField(blank=True, choices_list=programmes.models.SDGTarget, default=list, verbose_name='SDG targets')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('donor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='projects', to='programmes.donor', verbose_name='donor')),
                        ('organisations', models.ManyToManyField(blank=True, db_table='reports_project_organisations', related_name='projects', to='partners.organisation', verbose_name='implementing organisations')),
                    ],
                    options={
                        'verbose_name': 'project',
                        'verbose_name_plural': 'projects',
                        'db_table': 'reports_project',
                        'ordering': ['-start_date', 'code'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('end_date__gte', models.F('start_date'))), name='project_ends_after_start')],
                    },
                ),
                ],
            database_operations=[],
        ),
    ]
