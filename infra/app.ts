import { App } from 'aws-cdk-lib';
import { buildApp } from './buildApp';

buildApp(new App());
