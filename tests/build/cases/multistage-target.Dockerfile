FROM @BASE@ AS build
RUN echo build stage > /stage

FROM @BASE@ AS release
RUN echo release stage > /stage && false
